"""Files: the shipped tables and their builder, output folders, safe text."""
