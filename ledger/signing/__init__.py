"""EIP-712 signed actions: what a partner, council member or issuer signs, and the registry call that carries it out."""
