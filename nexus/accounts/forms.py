from django import forms

from nexus.accounts.models import Profile, Track


class SignupForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    email = forms.EmailField(max_length=254)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 8 characters, not only digits.")
    display_name = forms.CharField(max_length=80, required=False)
    track = forms.ChoiceField(choices=Track.choices, initial=Track.BACKEND)
    cohort = forms.CharField(max_length=60, required=False, help_text="e.g. 2026-spring")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "track", "cohort", "bio", "github", "discord"]
