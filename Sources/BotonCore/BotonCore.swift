// BotonCore: the domain at the centre of the service. Pure values and rules, no I/O.
