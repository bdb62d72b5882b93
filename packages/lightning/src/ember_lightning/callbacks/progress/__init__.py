"""Progress-bar callbacks: ``TQDMProgressBar`` (the default) and ``RichProgressBar``.

None of these modules imports tqdm or rich until a bar is drawn.
"""

from .progress_bar import ProgressBar
from .rich_progress import RichProgressBar, RichProgressBarTheme
from .tqdm_progress import TQDMProgressBar

__all__ = ["ProgressBar", "RichProgressBar", "RichProgressBarTheme", "TQDMProgressBar"]
