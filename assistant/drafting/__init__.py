"""Drafting: the facts a message may use, the guards it must pass, and the drafters that write it."""
