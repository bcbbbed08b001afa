"""``python -m ipccheck`` is the same as the ``ipccheck`` command."""

from .cli import command

# The guard matters: spawn and forkserver children import the parent's main module.
if __name__ == "__main__":
    command()
