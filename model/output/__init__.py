"""Tables -> figures, text and the files of results/ (write.py writes every file, through atomic.py)."""
