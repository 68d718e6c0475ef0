"""``python -m storyline``: the same as the ``storyline`` command."""

from storyline.cli import main

if __name__ == "__main__":  # Dask's spawned workers import this module: never run it then
    main()
