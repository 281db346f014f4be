from contextlib import contextmanager

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.kit import access


def is_scoped_model(model) -> bool:
    return getattr(model, "access_path", None) is not None or getattr(model, "unit_path", None) is not None


def narrow_choices(form: forms.BaseForm, user, duty: str) -> None:
    """Limit every choice of a scoped model to the user's scope (docs/security.md §Authorisation).

    A sliced queryset cannot be filtered (and a choice field could not validate against it
    either), so its rows are narrowed through a subquery instead of crashing the page.
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and is_scoped_model(field.queryset.model):
            field.queryset = access.scope(unsliced(field.queryset), user, duty)


def unsliced(queryset):
    """``queryset`` itself, or, when sliced, the same rows in the same order as a filterable queryset."""
    if not queryset.query.is_sliced:
        return queryset
    rows = queryset.model._default_manager.filter(pk__in=queryset.values("pk"))
    rows.query.select_related = queryset.query.select_related
    return rows.order_by(*queryset.query.order_by)


def apply_form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the field it names, or on top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ConfirmForm(forms.Form):
    """Empty on purpose: the POST with its CSRF token is the confirmation."""


__all__ = ["NON_FIELD_ERRORS", "ConfirmForm", "apply_form_errors", "narrow_choices"]


_TEXTUAL = (forms.TextInput, forms.EmailInput, forms.PasswordInput, forms.DateInput, forms.NumberInput, forms.Textarea,
            forms.URLInput)


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap classes on plain inputs, so templates stay one generic loop."""
    for field in form.fields.values():
        if isinstance(field.widget, _TEXTUAL):
            field.widget.attrs.setdefault("class", "form-control")
        elif isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs.setdefault("class", "form-check-input")


@contextmanager
def errors_on(field: str):
    """Attach a validator's field-less ValidationError to ``field`` so the form shows it beside it."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({field: exc.error_list}) from exc


def yes_no():
    """A 全部/是/否 select for a boolean filter: the stock NullBooleanSelect says 未知/是/否 (Django's own
    labels), which reads as a value rather than "no filter"."""
    return forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])
