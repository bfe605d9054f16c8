"""Building blocks of the scenarios, one module per concern: containers of the factory API
(``containers``), the machines a rule needs (``machines``), and the command line
(``command_line``)."""
