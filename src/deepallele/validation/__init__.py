"""The validation wing: tables that compare a stage's output with the simulator's truth."""
