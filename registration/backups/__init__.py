"""Per-round backup and restore (docs/deployment.md, "Recovery drill").

- `collect.py`: which rows belong to a round and which rows they refer to (foreign keys
  followed through the app registry; `registry.py` for rows of shared tables such as class lists);
- `fileformat.py`: the file (format version, app version, checksum, full-precision time stamps);
- `restore.py`: the all-or-nothing restore, its clash rules and the dry run;
- `services.py`: writing a backup and registering it (`BackupRecord`, `models.py`) with the
  expiry of the round's personal data, and deleting expired backups (called by the purge).

The management commands `backup_round` and `restore_round` only parse arguments and print.
"""
