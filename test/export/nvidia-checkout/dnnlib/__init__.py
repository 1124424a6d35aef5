"""Stand-in checkout, interface only (see ../legacy.py): NVIDIA's checkouts have a dnnlib package,
which the exporter looks for to tell a checkout from another folder. Nothing here is used."""
