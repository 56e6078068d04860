# sql/build.awk -- writes flp's install script from its parts.
#
#	awk -f sql/build.awk sql/parts/* >sql/flp--VERSION.sql
#
# (the Makefile's rule).  Each part is copied in the order given, without its
# opening comment: the lines at its top that begin with "--".  The install
# script writes its own comments as /* ... */, so nothing of it is lost.
#
# A part named *.list (55-references.list) is a table of the references
# between catalog tables, one a line:
#
#	constraint referencing referenced on-delete on-update col=refcol ...
#
# from which are written the three triggers that stand for each foreign key
# (see src/references.c for their arguments); its lines that begin with "--"
# and its empty lines are comments.

FNR == 1 {
	opening = 1
}

opening && /^--/ {
	next
}

{
	opening = 0
}

FILENAME !~ /\.list$/ {
	print
	next
}

/^--/ || NF == 0 {
	next
}

{
	if (NF < 6)
	{
		printf "%s:%d: expected constraint, tables, actions, columns\n", FILENAME, FNR >"/dev/stderr"
		exit 1
	}
	check = ""
	action = ""
	for (i = 6; i <= NF; i++)
	{
		if (split($i, col, "=") != 2)
		{
			printf "%s:%d: not col=refcol: %s\n", FILENAME, FNR, $i >"/dev/stderr"
			exit 1
		}
		check = check ", '" col[1] "', '" col[2] "'"
		action = action ", '" col[2] "', '" col[1] "'"
	}
	action = "flp_internal.ref_action('" $1 "', 'flp." $2 "', '" $4 "', '" $5 "'" action ");"
	print "CREATE TRIGGER " $1 " BEFORE INSERT OR UPDATE ON flp." $2
	print "\tFOR EACH ROW EXECUTE FUNCTION flp_internal.ref_check('" $1 "', 'flp." $3 "'" check ");"
	print "CREATE TRIGGER " $1 " AFTER UPDATE OR DELETE ON flp." $3
	print "\tFOR EACH ROW EXECUTE FUNCTION " action
	print "CREATE TRIGGER " $1 "_truncate AFTER TRUNCATE ON flp." $3
	print "\tFOR EACH STATEMENT EXECUTE FUNCTION " action
}
