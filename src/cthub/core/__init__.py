"""The core every capability stands on: config, storage, auth, policy, audit, jobs, i18n."""
