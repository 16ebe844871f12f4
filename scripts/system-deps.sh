#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (Playwright drives it through
# executable_path; browsers cannot be downloaded here), CJK fonts for Chinese pages and PDF
# reports, poppler-utils for rendering PDF reports to PNG, and Pango and HarfBuzz's subsetter
# for WeasyPrint. Installed only when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# WeasyPrint (PDF reports) needs Pango; HarfBuzz's subsetter keeps CJK font embedding fast
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || need+=(libharfbuzz-subset0)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
