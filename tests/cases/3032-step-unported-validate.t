=== args
validate seq.yaml
=== sequence
name: Bad unported
steps:
  - name: No type
    type: unported
    with: { reason: "no original_type" }
  - name: Bad properties
    type: unported
    with: { original_type: X, properties: [a, b] }
  - name: A test that cannot be evaluated
    type: run_command
    condition: { unported: { type: SMS_TaskSequence_WMIConditionExpression, properties: { Query: "SELECT 1" } } }
    with: { command: "true" }
  - name: Bad test
    type: run_command
    condition: { unported: { properties: { Query: "SELECT 1" } } }
    with: { command: "true" }
=== rc
1
=== stderr-contains
seq.yaml:3:5: error: step type 'unported' needs parameter 'original_type'
seq.yaml:8:43: error: parameter 'properties' of 'unported' takes a mapping, not a list
seq.yaml:11:18: warning: condition not ported (SMS_TaskSequence_WMIConditionExpression): port it to a tsi condition; until then it fails its node when evaluated
seq.yaml:15:28: error: 'unported' takes a mapping with 'type' (and 'properties')
tsi: 3 errors, 1 warning in 1 file
