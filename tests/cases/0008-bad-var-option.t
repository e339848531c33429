=== args
run seq.yaml --var NoEquals --state-dir st
=== sequence
steps: [{ type: restart }]
=== rc
2
=== stderr-contains
tsi: error: --var takes NAME=VALUE, not 'NoEquals'
usage: tsi run FILE
