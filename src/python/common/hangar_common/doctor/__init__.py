"""``hangar doctor``: checks that this machine can build, test and run Hangar."""
