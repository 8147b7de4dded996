from mlpapers.cli import main

raise SystemExit(main())
