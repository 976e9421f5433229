"""Other libraries both ways: PyTorch."""
