"""django-import-export file formats for the admin's import and export buttons, safe to open.

django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` (still the setting in 4.x; tablib's
``escape`` option does the same for .xlsx) only drops a leading ``=`` — it changes the value and leaves
``+``, ``-``, ``@``, tab and CR formulas alone. These formats write through ``core.excel`` instead: CSV
text gets a leading ``'`` (taken off again on import, so export → import is unchanged) and .xlsx text is a
quote-prefixed string cell. Admins offer only these (``formats = SAFE_FORMATS``).
"""

import tablib
from import_export.formats import base_formats

from xinyipi.core.excel import formula_safe, formula_unescaped, xlsx_bytes


def _mapped(dataset: tablib.Dataset, function) -> tablib.Dataset:
    out = tablib.Dataset(headers=[function(h) for h in dataset.headers] if dataset.headers else None)
    for row in dataset:
        out.append([function(v) for v in row])
    out.title = dataset.title
    return out


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_mapped(dataset, formula_safe), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _mapped(super().create_dataset(in_stream, **kwargs), formula_unescaped)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        title = (dataset.title or "export")[:31]
        return xlsx_bytes([(title, list(dataset.headers or []), [list(row) for row in dataset])])


SAFE_FORMATS = [SafeCSV, SafeXLSX]
