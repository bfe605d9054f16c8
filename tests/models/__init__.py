"""Models of released runtimes, written from their upstream source, run as test subjects."""
