"""Excel exports of registrations (openpyxl write-only, formula-safe, streamed from a temp file)."""
