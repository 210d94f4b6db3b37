# Sourced by build-kafka.sh and build-zookeeper.sh (which define die()).
# maven_jars POM OUTDIR LOG: copies the runtime jars POM depends on into OUTDIR. Offline first, since
# ~/.m2 usually has everything after the first build; else Maven downloads from Maven Central.
maven_jars() {
	local pom="$1" out="$2" log="$3"
	if ! mvn -B -q -o -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out" >"$log" 2>&1; then
		rm -f -- "$out/"*
		mvn -B -q -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out" >"$log" 2>&1 ||
			{ cat "$log" >&2; die "Maven could not resolve the jars (see above)"; }
	fi
}
