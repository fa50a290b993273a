"""The ground floor: the vocabulary every other floor shares (sectors, years and rows, IAMC names
and units, file names, problems and the checker, the parameter and target-set registries, the YAML
and CSV readers).  It imports nothing else of the model, and everything may import it."""
