# Django's zh_Hans formats group no digits; Chinese business documents write 1,500,000.00.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
