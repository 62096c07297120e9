"""Every billing write, one module per concern; each public function is a core.actions action."""
