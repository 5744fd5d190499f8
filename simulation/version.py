"""The model version. Bump it whenever a change can alter any number a run produces, so that a saved
run (scenario + seed + decisions + model version) replayed on another version says so."""

MODEL_VERSION = "0.3.1"
