__version__ = "0.1.0"

import warnings
# fastai (imported by several modules) still calls torch.jit.script, which torch >= 2.10 deprecates noisily.
warnings.filterwarnings('ignore', message=r'`torch.jit.script` is deprecated', category=FutureWarning)
