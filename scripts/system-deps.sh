#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (Playwright drives it through
# executable_path; browsers cannot be downloaded here), CJK fonts for Chinese pages and PDF
# reports, poppler-utils for rendering PDF reports to PNG, and Pango and HarfBuzz's subsetter
# for WeasyPrint, libsodium for the exchange's private set intersection, and a Java runtime
# for PySpark. Installed only when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# (outputs are captured first: `cmd | grep -q` fails under pipefail when grep exits early)
fonts=$(fc-list 2>/dev/null || true)
libs=$(ldconfig -p 2>/dev/null || true)
javav=$(java -version 2>&1 || true)
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# WeasyPrint (PDF reports) needs Pango; HarfBuzz's subsetter keeps CJK font embedding fast
grep -q "libpango-1.0.so" <<<"$libs" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
grep -q "libharfbuzz-subset.so" <<<"$libs" || need+=(libharfbuzz-subset0)
# private set intersection (exchange psi) needs libsodium >= 1.0.18 for Ristretto255
grep -q "libsodium.so.23" <<<"$libs" || need+=(libsodium23)
# PySpark (screening --engine spark, tested in local mode) needs Java 17 or later
grep -qE 'version "(1[7-9]|[2-9][0-9])' <<<"$javav" || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
