"""Questions asked of the projection engine: Monte Carlo, goal seeking, attribution,
lever maps, sensitivity, backtest."""
