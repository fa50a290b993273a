"""Questions asked of the projection engine: one scenario computed into one record (run.py), Monte
Carlo, goal seeking, attribution, lever maps, sensitivity, backtest."""
