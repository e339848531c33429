=== args
rnu seq.yaml
=== rc
2
=== stderr
tsi: error: unknown command 'rnu' (did you mean 'run'?)
`tsi --help` lists the commands
