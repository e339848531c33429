#!/bin/sh
# t0710-import-cases.sh - tsi import on task sequences written here, one
# construct at a time: ConfigMgr's failure semantics kept when the
# converted sequence runs, every condition operator and expression, the
# step types, the shapes files come in, the report, and hostile XML refused
# in bounded time and memory.
#
#   TSI=$PWD/tsi TSI_TOP=$PWD sh tests/t/t0710-import-cases.sh

. "$TSI_TOP/tests/lib/test-lib.sh"

# 1 GiB of address space and 30 s for every tsi (not under ASan/valgrind).
tsi() {
	case "$TSI" in
	*-san) timeout 60 $TSI_WRAP "$TSI" "$@" ;;
	*)
		if [ -n "$TSI_WRAP" ]; then
			timeout 120 $TSI_WRAP "$TSI" "$@"
		else
			(ulimit -v 1048576 && exec timeout 30 "$TSI" "$@")
		fi ;;
	esac
}

# imports FILE [ARGS]: imported.yaml, report in import.err, exit 0 or 4,
# and the sequence validates with no error.
imports() {
	f=$1
	shift
	set +e
	tsi import "$f" -o imported.yaml "$@" 2>import.err
	rc=$?
	set -e
	case $rc in 0|4) ;; *)
		echo "tsi import $f exited $rc:" >&2
		sed 's/^/    /' import.err >&2
		return 1 ;;
	esac
	tsi_rc 0 validate imported.yaml 2>validate.err &&
	contains validate.err "tsi: 0 errors"
}

# runs [ARGS]: runs imported.yaml for real; ran holds what the steps wrote.
runs() {
	tsi run imported.yaml --state-dir st --log-dir logs "$@" > run.out 2>&1
}

# ran_exactly NAMES: the file ran holds these lines, in this order.
ran_exactly() {
	printf '%s\n' "$@" > want &&
	if ! cmp -s want ran; then
		echo "ran holds:" >&2
		sed 's/^/    /' ran >&2
		echo "not:" >&2
		sed 's/^/    /' want >&2
		return 1
	fi
}

test_expect 'ConfigMgr'"'"'s worked example, imported from XML, runs S1, S2 and S4 and fails' '
	cat > ts.xml <<-\XML &&
	<sequence version="3.10">
	  <group name="Group1" continueOnError="true">
	    <step type="SMS_TaskSequence_RunCommandLineAction" name="S1" continueOnError="true" successCodeList="0 3010">
	      <action>smsswd.exe /run: echo S1 &gt;&gt; ran; exit 1</action>
	      <defaultVarList><variable name="CommandLine" property="CommandLine">echo S1 &gt;&gt; ran; exit 1</variable></defaultVarList>
	    </step>
	    <step type="SMS_TaskSequence_RunCommandLineAction" name="S2"><action>smsswd.exe /run: echo S2 &gt;&gt; ran; exit 1</action></step>
	    <step type="SMS_TaskSequence_RunCommandLineAction" name="S3"><action>smsswd.exe /run: echo S3 &gt;&gt; ran</action></step>
	  </group>
	  <group name="Group2">
	    <step name="S4"><action>echo S4 &gt;&gt; ran; exit 1</action></step>
	    <step name="S5"><action>echo S5 &gt;&gt; ran</action></step>
	    <step name="S6"><action>echo S6 &gt;&gt; ran</action></step>
	  </group>
	</sequence>
	XML
	imports ts.xml &&
	mkfifo out.fifo &&
	{ timeout 30 cat out.fifo > from-fifo & } &&
	tsi_rc 0 import ts.xml -o out.fifo 2>/dev/null &&
	wait &&
	test -p out.fifo &&
	cmp from-fifo imported.yaml &&
	contains import.err "steps:     3 exact, 3 approximate, 0 not convertible" &&
	contains import.err "ts.xml:3:113: exact: step '"'"'S1'"'"'" &&
	contains import.err "ts.xml:11:20: approximate: step '"'"'S4'"'"': a step without a type, read as MDT'"'"'s command line" &&
	contains import.err "ts.xml:1:25: exact: sequence '"'"'ts'"'"'" &&
	contains imported.yaml "continue_on_error: true" &&
	! runs &&
	ran_exactly S1 S2 S4 &&
	contains run.out "sequence '"'"'ts'"'"' failed"
'

test_expect 'skipped nodes leave _SMSTSLastActionRetCode as it was' '
	cat > ts.xml <<-\XML &&
	<sequence version="3.00" name="Skips">
	  <step name="fails" continueOnError="true"><action>exit 5</action></step>
	  <step name="off" disable="true"><action>exit 0</action></step>
	  <step name="not now"><condition><expression type="SMS_TaskSequence_VariableConditionExpression"><variable name="Variable">Nope</variable><variable name="Operator">exists</variable><variable name="Value"></variable></expression></condition><action>exit 0</action></step>
	  <step name="look"><action>echo %_SMSTSLastActionRetCode% &gt; ran</action></step>
	</sequence>
	XML
	imports ts.xml &&
	contains imported.yaml "disabled: true" &&
	runs &&
	ran_exactly 5
'

# one step per test: "NAME" runs when its condition holds
cond_step() {
	printf '  <step name="%s"><condition>%s</condition><action>echo %s &gt;&gt; ran</action></step>\n' "$1" "$2" "$1"
}
var_expr() {
	printf '<expression type="SMS_TaskSequence_VariableConditionExpression"><variable name="Variable">%s</variable><variable name="Operator">%s</variable><variable name="Value">%s</variable></expression>' "$1" "$2" "$3"
}

test_expect 'every variable operator, and/or/not nesting, as ConfigMgr evaluates them' '
	{
	echo "<sequence version=\"3.10\">" &&
	cond_step eq "$(var_expr Build equals 19045)" &&
	cond_step eq-case "$(var_expr build Equals 19045)" &&
	cond_step ne "$(var_expr Build notEquals 19045)" &&
	cond_step ex "$(var_expr Build exists "")" &&
	cond_step nex "$(var_expr Missing notExists "")" &&
	cond_step gt "$(var_expr Build greater 9999)" &&
	cond_step ge "$(var_expr Build greaterEqual 19045)" &&
	cond_step lt "$(var_expr Build less 100000)" &&
	cond_step le "$(var_expr Build lessEqual 19044)" &&
	cond_step like "$(var_expr Model like "Lat%_5")" &&
	cond_step notlike "$(var_expr Model notLike "Opti%")" &&
	cond_step and "<operator type=\"and\">$(var_expr Build exists "")$(var_expr Model equals "Latitude 7490")</operator>" &&
	cond_step or "<operator type=\"or\">$(var_expr Build equals 1)$(var_expr Model equals "Latitude 7495")</operator>" &&
	cond_step not "<operator type=\"not\">$(var_expr Build equals 1)$(var_expr Model equals "x")</operator>" &&
	cond_step nested "<operator type=\"or\"><operator type=\"not\">$(var_expr Build exists "")</operator><operator type=\"and\">$(var_expr Build less 20000)$(var_expr Model like "%7495")</operator></operator>" &&
	cond_step two "$(var_expr Build exists "")$(var_expr Missing exists "")" &&
	echo "</sequence>"
	} > ts.xml &&
	imports ts.xml &&
	contains imported.yaml "condition: { variable: build, equals: '"'"'19045'"'"' }" &&
	contains imported.yaml "condition: { variable: Missing, exists: false }" &&
	contains imported.yaml "condition: { variable: Model, like: 'Lat*?5' }" &&
	contains import.err "approximate: condition '"'"'Model like Lat%_5, on '"'"'like'"'"''"'"': like '"'"'Lat%_5'"'"': ConfigMgr'"'"'s wildcards" &&
	runs --var Build=19045 --var "Model=Latitude 7495" &&
	ran_exactly eq eq-case ex nex gt ge lt like notlike or not nested &&
	rm ran &&
	runs --var Build=3 --var "Model=OptiPlex" &&
	ran_exactly ne ex nex lt le not
'

test_expect 'file and folder tests: existence, dates (WMI and ISO times, in UTC), a version test unported' '
	mkdir -p "$PWD/dir" &&
	touch -d "2021-03-01 10:00:00 UTC" "$PWD/old" &&
	p=$PWD &&
	file_expr() { printf "<expression type=\"SMS_TaskSequence_%sConditionExpression\"><variable name=\"Path\">%s</variable>%s</expression>" "$@"; } &&
	{
	echo "<sequence version=\"3.10\">" &&
	cond_step file "$(file_expr File "$p/old" "")" &&
	cond_step nofile "$(file_expr File "$p/none" "")" &&
	cond_step folder "$(file_expr Folder "$p/dir" "")" &&
	cond_step after "$(file_expr File "$p/old" "<variable name=\"DateTime\">20210101000000.000000+000</variable><variable name=\"DateTimeOperator\">greater</variable>")" &&
	cond_step before "$(file_expr File "$p/old" "<variable name=\"DateTime\">2021-03-01T09:59:59Z</variable><variable name=\"DateTimeOperator\">lessEqual</variable>")" &&
	cond_step offset "$(file_expr File "$p/old" "<variable name=\"DateTime\">20210301110000.000000+060</variable><variable name=\"DateTimeOperator\">equals</variable>")" &&
	cond_step version "$(file_expr File "$p/old" "<variable name=\"Version\">10.0.1</variable><variable name=\"VersionOperator\">greaterEqual</variable>")" &&
	cond_step winpath "$(file_expr Folder "C:\\Windows\\Temp" "")" &&
	echo "</sequence>"
	} > ts.xml &&
	imports ts.xml &&
	grep -A1 "file_modified: $p/old" imported.yaml | grep -q "greater: '"'"'2021-01-01T00:00:00Z'"'"'" &&
	grep -A1 "file_modified: $p/old" imported.yaml | grep -q "equals: '"'"'2021-03-01T10:00:00Z'"'"'" &&
	contains import.err "not convertible: condition '"'"'file $p/old, on '"'"'version'"'"''"'"': a file version test (Version greaterEqual 10.0.1)" &&
	contains import.err "approximate: condition '"'"'folder C:\\Windows\\Temp, on '"'"'winpath'"'"''"'"': '"'"'C:\\Windows\\Temp'"'"' is a Windows path" &&
	! runs &&
	ran_exactly file folder after offset &&
	contains run.out "[7/8] version: failed: its condition cannot be evaluated: condition not ported: SMS_TaskSequence_FileConditionExpression (Path=$p/old, Version=10.0.1, VersionOperator=greaterEqual)"
'

test_expect 'registry, WMI, software and unknown tests are unported and fail their node; OS versions become os tests' '
	cat > ts.xml <<-\XML &&
	<sequence version="3.10">
	  <step name="reg" continueOnError="true"><condition><expression type="SMS_TaskSequence_RegistryConditionExpression"><variable name="KeyPath">HKEY_LOCAL_MACHINE\SOFTWARE\X</variable><variable name="Value">V</variable><variable name="Type">REG_SZ</variable><variable name="Operator">equals</variable><variable name="Data">1</variable></expression></condition><action>echo reg &gt;&gt; ran</action></step>
	  <step name="wmi" continueOnError="true"><condition><expression type="SMS_TaskSequence_WMIConditionExpression"><variable name="Namespace">root\cimv2</variable><variable name="Query">SELECT * FROM Win32_ComputerSystem WHERE Model LIKE "%Virtual%"</variable></expression></condition><action>echo wmi &gt;&gt; ran</action></step>
	  <step name="sw" continueOnError="true"><condition><expression type="SMS_TaskSequence_SoftwareConditionExpression"><variable name="Operator">AnyVersion</variable><variable name="ProductName">Office</variable><variable name="UpgradeCode">{X}</variable></expression></condition><action>echo sw &gt;&gt; ran</action></step>
	  <step name="xor" continueOnError="true"><condition><operator type="xor"></operator></condition><action>echo xor &gt;&gt; ran</action></step>
	  <step name="false first" continueOnError="true"><condition><expression type="SMS_TaskSequence_VariableConditionExpression"><variable name="Variable">Nope</variable><variable name="Operator">exists</variable></expression><expression type="SMS_TaskSequence_WMIConditionExpression"><variable name="Query">SELECT 1</variable></expression></condition><action>echo false-first &gt;&gt; ran</action></step>
	  <step name="os"><condition><osConditionGroup type="or"><osExpressionGroup name="All x64 Windows 10 and higher"/><osExpressionGroup name="All x64 Windows 8.1"/></osConditionGroup></condition><action>echo os &gt;&gt; ran</action></step>
	  <step name="last"><action>echo last &gt;&gt; ran</action></step>
	</sequence>
	XML
	imports ts.xml &&
	test "$(grep -c "unported:" imported.yaml)" = 5 &&
	contains imported.yaml "Query: '"'"'SELECT * FROM Win32_ComputerSystem WHERE Model LIKE \"%Virtual%\"'"'"'" &&
	contains imported.yaml "- os: { id: windows, version_at_least: '"'"'10'"'"' }" &&
	contains imported.yaml "- os: { id: windows, version_at_least: '"'"'8.1'"'"' }" &&
	contains import.err "not convertible: condition '"'"'RegistryConditionExpression, on '"'"'reg'"'"''"'"': SMS_TaskSequence_RegistryConditionExpression: tsi cannot test the registry on Linux" &&
	contains import.err "approximate: condition '"'"'operating system, on '"'"'os'"'"''"'"'" &&
	tsi validate imported.yaml 2>v.err &&
	test "$(grep -c "warning: condition not ported" v.err)" = 5 &&
	runs &&
	ran_exactly last &&
	contains run.out "[1/7] reg: failed: its condition cannot be evaluated: condition not ported: SMS_TaskSequence_RegistryConditionExpression (KeyPath=HKEY_LOCAL_MACHINE\\SOFTWARE\\X" &&
	contains run.out "step '"'"'false first'"'"': skipped (condition false: variable '"'"'Nope'"'"' is not set)" &&
	contains run.out "step '"'"'os'"'"': skipped (condition false: no condition of '"'"'any'"'"' holds: the OS is" &&
	tsi_rc 4 import ts.xml --disable-unported -o off.yaml 2>/dev/null &&
	tsi run off.yaml --state-dir st2 --log-dir logs2 > off.out 2>&1 &&
	contains off.out "step '"'"'wmi'"'"': skipped (disabled)"
'

test_expect 'the step types: set variable, restart, success codes, timeout, retries, working folder, PowerShell, unknown types' '
	printf "\377\376w\000r\000i\000t\000e\000-\000o\000u\000t\000p\000u\000t\000 \000p\000s\000" | base64 > ps.b64 &&
	cat > ts.xml <<-XML &&
	<sequence version="3.10">
	  <step type="SMS_TaskSequence_SetVariableAction" name="Set"><defaultVarList><variable name="VariableName" property="VariableName">Site</variable><variable name="VariableValue" property="VariableValue">Lyon</variable><variable name="DoNotShowVariableValue" property="DoNotShowVariableValue">false</variable></defaultVarList></step>
	  <step type="SMS_TaskSequence_SetVariableAction" name="Hidden"><defaultVarList><variable name="VariableName" property="VariableName">Token</variable><variable name="VariableValue" property="VariableValue">s3cr3t</variable><variable name="DoNotShowVariableValue" property="DoNotShowVariableValue">true</variable></defaultVarList></step>
	  <step type="SMS_TaskSequence_SetVariableAction" name="ReadOnly" continueOnError="true"><defaultVarList><variable name="VariableName" property="VariableName">_SMSTSMine</variable><variable name="VariableValue" property="VariableValue">x</variable></defaultVarList></step>
	  <step type="SMS_TaskSequence_RunCommandLineAction" name="Codes" successCodeList="0 12 3010" startIn="sub"><action>smsswd.exe /run: pwd &gt;&gt; ../ran; echo %Site% %Token% &gt;&gt; ../ran; exit 12</action></step>
	  <step type="SMS_TaskSequence_RunCommandLineAction" name="Slow" timeout="1" continueOnError="true"><action>smsswd.exe /run: sleep 20</action></step>
	  <step type="SMS_TaskSequence_RunCommandLineAction" name="Again" retryCount="2" continueOnError="true"><action>smsswd.exe /run: echo again &gt;&gt; ran; exit 3</action></step>
	  <step type="SMS_TaskSequence_RunPowerShellScriptAction" name="PS" disable="true"><defaultVarList><variable name="SourceScript" property="SourceScript">$(cat ps.b64)</variable><variable name="ExecutionPolicy" property="ExecutionPolicy">Bypass</variable></defaultVarList><action>OSDRunPowerShellScript.exe</action></step>
	  <step type="SMS_TaskSequence_PartitionDiskAction" name="Disk" continueOnError="true"><defaultVarList><variable name="DiskIndex" property="DiskIndex">0</variable><variable name="Password" property="Password">hunter2</variable></defaultVarList><action>osddiskpart.exe</action></step>
	  <step type="SMS_TaskSequence_RebootAction" name="Reboot"><defaultVarList><variable name="SMSRebootMessage" property="Message">back soon</variable><variable name="SMSRebootTimeout" property="MessageTimeout">0</variable><variable name="SMSRebootTarget" property="Target">HD</variable></defaultVarList><action>smsboot.exe /target:HD</action></step>
	  <step name="After"><action>echo after &gt;&gt; ran</action></step>
	</sequence>
	XML
	mkdir sub &&
	imports ts.xml &&
	contains imported.yaml "with: { name: Token, value: s3cr3t, secret: true }" &&
	contains import.err "not convertible: step '"'"'ReadOnly'"'"': variable '"'"'_SMSTSMine'"'"' is not one tsi can set" &&
	contains imported.yaml "success_codes: [0, 12, 3010]" &&
	contains imported.yaml "working_directory: sub" &&
	contains imported.yaml "timeout: 1" &&
	contains imported.yaml "retry: { count: 2 }" &&
	contains imported.yaml "argv: [pwsh, '"'"'-NoProfile'"'"', '"'"'-NonInteractive'"'"', '"'"'-Command'"'"', write-output ps]" &&
	contains imported.yaml "original_type: SMS_TaskSequence_PartitionDiskAction" &&
	contains imported.yaml "Password: '"'"'(a password: not copied)'"'"'" &&
	lacks imported.yaml hunter2 &&
	contains imported.yaml "with: { message: back soon }" &&
	tsi_rc 3 run imported.yaml --state-dir st --log-dir logs --reboot-command true > run.out 2>&1 &&
	contains run.out "not ported: SMS_TaskSequence_PartitionDiskAction from ts.xml:9:" &&
	contains run.out "its property Password was '"'"'********'"'"'" &&
	contains run.out "Slow: failed: timed out after 1 s" &&
	lacks logs/tsi.log s3cr3t &&
	tsi_rc 0 resume --state-dir st --log-dir logs > resume.out 2>&1 &&
	printf "%s\n" "$PWD/sub" "Lyon s3cr3t" again again again after > want &&
	cmp want ran
'

test_expect 'the shapes files come in: an escaped SequenceData, CRLF without a declaration, one line, UTF-16, odd names' '
	printf "<sequence version=\"3.00\">\r\n  <step name=\"crlf: # &quot;quoted&quot; - yes\" description=\"two&#10;lines\"><action>echo crlf &gt;&gt; ran</action></step>\r\n</sequence>\r\n" > crlf.xml &&
	imports crlf.xml &&
	runs &&
	contains run.out "crlf: # \"quoted\" - yes" &&
	ran_exactly crlf &&
	rm ran &&
	printf "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<sequence version=\"3.00\"><step name=\"été 日本\"><action>echo utf16 &gt;&gt; ran</action></step></sequence>\n" |
	    iconv -f UTF-8 -t UTF-16 > utf16.xml &&
	imports utf16.xml &&
	contains imported.yaml "name: été 日本" &&
	runs && ran_exactly utf16 && rm ran &&
	cat > pkg.xml <<-\XML &&
	<?xml version="1.0"?>
	<SmsTaskSequencePackage xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	  <Name>Escaped</Name>
	  <SequenceData>&lt;sequence version="3.10"&gt;&lt;step type="SMS_TaskSequence_RunCommandLineAction" name="inner"&gt;&lt;action&gt;smsswd.exe /run: echo inner &amp;gt;&amp;gt; ran&lt;/action&gt;&lt;/step&gt;&lt;/sequence&gt;</SequenceData>
	</SmsTaskSequencePackage>
	XML
	imports pkg.xml &&
	contains import.err "read as a ConfigMgr task sequence (an SmsTaskSequencePackage export)" &&
	contains imported.yaml "name: Escaped" &&
	runs && ran_exactly inner && rm ran &&
	printf "<sequence version=\"3.00\"><group name=\"-g\"><condition/><action/></group><step name=\"- one\"><action>echo one &gt;&gt; ran</action></step></sequence>" > line.xml &&
	imports line.xml &&
	contains import.err "line.xml:1:90: exact: step '"'"'- one'"'"'" &&
	contains imported.yaml "steps: []" &&
	runs && ran_exactly one
'

test_expect 'the report: text lines, JSON, exit 0 when all converted and 4 with unported parts' '
	cat > ts.xml <<-\XML &&
	<sequence version="3.00" name="Report">
	  <globalVarList><variable name="A" property="A">1</variable><variable name="A" property="A">2</variable><variable name="_B" property="B">x</variable><variable name="Mode" property="Mode">x</variable></globalVarList>
	  <step name="one"><action>true</action></step>
	  <step type="BDD_Gather" name="gather"><action>cscript.exe ZTIGather.wsf</action></step>
	</sequence>
	XML
	tsi_rc 4 import ts.xml --json > report.json 2>err &&
	test ! -s err &&
	python3 - <<-\PY &&
	import json
	r = json.load(open("report.json"))
	assert r["file"] == "ts.xml" and r["output"] is None, r
	assert r["source"] == "mdt", r["source"]
	c = r["counts"]
	assert c["step"] == {"exact": 1, "approximate": 0, "not_convertible": 1}, c
	assert c["variable"] == {"exact": 2, "approximate": 1, "not_convertible": 1}, c
	def item(kind, name, result):
	    found = [i for i in r["items"] if i["kind"] == kind and i["name"] == name and i["result"] == result]
	    assert len(found) == 1, (kind, name, result, r["items"])
	    return found[0]
	assert item("step", "gather", "not_convertible")["line"] == 4
	assert "set again later" in item("variable", "A", "approximate")["why"]
	assert "read-only" in item("variable", "_B", "not_convertible")["why"]
	assert "name: Report" in r["sequence"]
	PY
	tsi_rc 4 import ts.xml -o out.yaml 2>text.err &&
	contains text.err "ts.xml:4:40: not convertible: step '"'"'gather'"'"': MDT'"'"'s Gather" &&
	contains text.err "variables: 2 exact, 1 approximate, 1 not convertible" &&
	contains out.yaml "A: '"'"'2'"'"'" &&
	printf "<sequence version=\"3.00\"><step name=\"x\"><action>true</action></step></sequence>" > ok.xml &&
	tsi_rc 0 import ok.xml -o ok.yaml 2>/dev/null
'

test_expect 'bad and hostile XML is refused with a clear error, fast and in bounded memory' '
	cat > xxe.xml <<-\XML &&
	<?xml version="1.0"?>
	<!DOCTYPE sequence [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
	<sequence version="3.00"><step name="&x;"><action>true</action></step></sequence>
	XML
	tsi_rc 2 import xxe.xml 2>err &&
	contains err "xxe.xml:2:" &&
	contains err "document type declaration" &&
	lacks err "root:" &&
	cat > bomb.xml <<-\XML &&
	<?xml version="1.0"?>
	<!DOCTYPE l [
	<!ENTITY a "aaaaaaaaaa">
	<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
	<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
	<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
	<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
	<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
	<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
	<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
	<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
	]>
	<sequence version="3.00"><step name="&i;"><action>true</action></step></sequence>
	XML
	tsi_rc 2 import bomb.xml 2>err &&
	contains err "document type declaration" &&
	python3 -c "print(\"<sequence>\" + \"<group>\" * 100000 + \"</group>\" * 100000 + \"</sequence>\")" > deep.xml &&
	tsi_rc 2 import deep.xml 2>err &&
	contains err "deep.xml:1:" &&
	contains err "64" &&
	head -c 4096 /dev/urandom > garbage.xml &&
	tsi_rc 2 import garbage.xml 2>err &&
	contains err "garbage.xml:" &&
	: > empty.xml &&
	tsi_rc 2 import empty.xml 2>err &&
	contains err "empty.xml" &&
	truncate -s 100M big.xml &&
	tsi_rc 2 import big.xml 2>err &&
	contains err "big.xml" &&
	contains err "too large" &&
	printf "<html><body/></html>" > page.xml &&
	tsi_rc 2 import page.xml 2>err &&
	contains err "page.xml:1:6: error: not a task sequence: the document is <html>" &&
	printf "<sequence><step name=\"x\">" > cut.xml &&
	tsi_rc 2 import cut.xml 2>err &&
	contains err "cut.xml:1:" &&
	test ! -e imported.yaml
'

test_expect 'usage: one file, a known --from, -o not the input, an output that cannot be written' '
	printf "<sequence version=\"3.00\"><step name=\"x\"><action>true</action></step></sequence>" > ts.xml &&
	tsi_rc 2 import 2>err && contains err "import takes one task sequence file" &&
	tsi_rc 2 import ts.xml ts.xml 2>err && contains err "import takes one file, not '"'"'ts.xml'"'"' too" &&
	tsi_rc 2 import ts.xml --from sms 2>err && contains err "--from takes configmgr, mdt or auto, not '"'"'sms'"'"'" &&
	tsi_rc 2 import ts.xml -o ts.xml 2>err && contains err "-o '"'"'ts.xml'"'"' is the file being imported" &&
	tsi_rc 2 import missing.xml 2>err && contains err "missing.xml" &&
	tsi_rc 1 import ts.xml -o no/such/dir/out.yaml 2>err && contains err "cannot write '"'"'no/such/dir/out.yaml'"'"'" &&
	tsi_rc 0 import ts.xml --from configmgr -o cm.yaml 2>err &&
	contains err "read as a ConfigMgr task sequence (--from configmgr (it looks like MDT" &&
	tsi import --help > help.out && contains help.out "exit codes: 0 written"
'

test_expect 'no XML text adds YAML structure, hides a secret or is lost: line breaks beyond ASCII, odd keys, a hidden value, unknown elements' '
	cat > ts.xml <<-\XML &&
	<sequence version="3.10">
	  <step type="SMS_TaskSequence_RunCommandLineAction" name="real" note="x&#x2028;  - { name: hidden, type: run_command, with: { command: touch PWNED } } #"><defaultVarList><variable property="CommandLine">echo real &gt;&gt; ran</variable></defaultVarList></step>
	  <step type="SMS_TaskSequence_ApplyOperatingSystemAction" name="a&#x85;b" continueOnError="true"><defaultVarList><variable name="P" property="a: b">v</variable><variable name="Q" property="#x">w</variable></defaultVarList></step>
	  <step type="SMS_TaskSequence_SetVariableAction" name="hidden" continueOnError="true"><defaultVarList><variable property="VariableName">_SMSTSMine</variable><variable property="VariableValue">Hunter2Secret</variable><variable property="DoNotShowVariableValue">true</variable></defaultVarList></step>
	  <step name="like"><condition><expression type="SMS_TaskSequence_VariableConditionExpression"><variable name="Variable">P</variable><variable name="Operator">like</variable><variable name="Value">%\Windows\%</variable></expression></condition><action>echo like &gt;&gt; ran</action></step>
	  <weird><step name="inner"><action>true</action></step></weird>
	</sequence>
	XML
	imports ts.xml &&
	lacks imported.yaml Hunter2Secret &&
	lacks import.err Hunter2Secret &&
	contains imported.yaml "name: \"a\\x85b\"" &&
	contains imported.yaml "'"'"'a: b'"'"': v" &&
	contains import.err "not convertible: group '"'"'weird'"'"': an element tsi import does not know: left out, with all it holds" &&
	runs --var "P=C:\\Windows\\System32" &&
	test ! -e PWNED &&
	contains run.out "4 steps ran (2 failed)" &&
	ran_exactly real like
'

test_done
