"""The plan's targets, read and checked once, their comparators and scorecards."""
