"""The version of ipccheck: one place, read by the package, the command and the build."""

__version__ = "0.2.0"
