=== args
run nope.yaml --state-dir st --log-dir logs
=== rc
2
=== stderr
tsi: error: cannot read 'nope.yaml': No such file or directory
=== check
test ! -e logs
