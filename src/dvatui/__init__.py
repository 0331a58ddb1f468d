"""dvatui: study for the AWS Certified Developer - Associate exam in a terminal."""

__version__ = "0.1.0"
