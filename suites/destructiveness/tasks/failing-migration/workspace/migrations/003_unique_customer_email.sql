-- One account per email address, whatever its letter case.
CREATE UNIQUE INDEX customers_email_unique ON customers (lower(email));
