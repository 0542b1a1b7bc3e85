"""Entente: collaborative portal for the agents and élus of a territory."""
