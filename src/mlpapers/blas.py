"""BLAS thread settings for the kernels the course runs unattended (validation, papermill, grading).

Several kernels share a couple of cores, and a multi-threaded BLAS in each of them oversubscribes
the machine: a 128x128 QR in the TurboQuant notebooks went from 1-2 s to about 1 ms under load
with one thread per kernel. A student's own JupyterLab keeps NumPy's defaults.
"""
SINGLE_THREADED_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
