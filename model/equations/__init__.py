"""The equations: small pure functions over numpy arrays (growth, revenue links, log mean and Shapley value)."""
