from tstui.entry import run

raise SystemExit(run())
