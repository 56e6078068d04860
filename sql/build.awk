# sql/build.awk -- writes flp's install script from its parts.
#
#	awk -f sql/build.awk sql/parts/* >sql/flp--VERSION.sql
#
# (the Makefile's rule).  Each part is copied in the order given, without its
# opening comment: the lines at its top that begin with "--".  The install
# script writes its own comments as /* ... */, so nothing of it is lost.
# The result is the install script; only the parts are kept in git.

FNR == 1 {
	opening = 1
}

opening && /^--/ {
	next
}

{
	opening = 0
	print
}
