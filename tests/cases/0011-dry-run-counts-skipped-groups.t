# The dry run of the bundled refresh counts the steps of its skipped groups.
=== args
run "$TSI_TOP/sequences/refresh.yaml" --dry-run
=== stdout-contains
group 'Capture to the State Migration Point': skipped with its 3 steps (condition false: variable 'TSIRefreshStore' is 'hardlink', which fails equals 'smp')
[5/11] step 'Stop when the capture failed': skipped (condition false: variable '_SMSTSLastActionSucceeded' is 'true', which fails equals 'false')
group 'Restore from the State Migration Point': skipped with its 3 steps (condition false: variable 'TSIRefreshStore' is 'hardlink', which fails equals 'smp')
dry run of 'Refresh - keep the users' state across a new system': 4 steps would run, 7 skipped; nothing was changed
