"""Tables -> figures, text and the files of results/ (report.py is the only module that writes files)."""
