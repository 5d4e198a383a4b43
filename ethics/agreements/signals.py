"""What the agreements layer tells the layers above, without importing them.

`acknowledged` is sent inside the acknowledging transaction; matching listens (its AppConfig
connects `matching.receivers`) to start any pairing that was waiting for both sides. A receiver
that raises rolls the acknowledgement back, as a direct call would.
"""

from django.dispatch import Signal

acknowledged = Signal()  # sender: Acknowledgement; user=User
