namespace fs {}
