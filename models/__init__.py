"""The model files posecheck ships: installed as the package ``posecheck.models``.

See ``README.md`` beside this file for what each file is and how it was made.
"""
