"""`python -m seqbot` is the same as the `seqbot` command."""

from seqbot.cli import main

raise SystemExit(main())
