from tstui.cli import main

raise SystemExit(main())
