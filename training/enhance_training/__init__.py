"""ESRGAN training for Enhance: RRDBNet, data, losses and the two training stages."""
