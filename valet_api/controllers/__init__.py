"""Pecan controllers: one noun a module (STYLE: like openstack/placement)."""
